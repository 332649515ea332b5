/**
 * Two panels at the top of a machine page: what the machine is (from the hub's record) and
 * how busy it was at its latest sample.
 */
import type { ReactNode } from 'react';
import type { MachineDetail, MachineSample } from './api-types';
import { formatBytes, formatPercent, formatUsedOfTotal, MISSING, percentOf } from './format';
import { RelativeTime } from './relative-time';
import { UsageBar } from './usage-bar';

const loadFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

interface MachineFactsProps {
  machine: MachineDetail;
  latest: MachineSample | null;
  nowMillis: number;
}

export function MachineFacts({ machine, latest, nowMillis }: MachineFactsProps) {
  const when = (iso: string | null) => <RelativeTime iso={iso} nowMillis={nowMillis} />;

  return (
    <div className="two-columns">
      <FactPanel id="about-heading" title="About this machine">
        <Fact label="Full name">{machine.fqdn}</Fact>
        <Fact label="Operating system">{machine.os}</Fact>
        <Fact label="Kernel">{`${machine.kernel} (${machine.arch})`}</Fact>
        <Fact label="CPU">{`${machine.cpuModel}, ${machine.cpuCount} logical`}</Fact>
        <Fact label="Memory">{formatBytes(machine.memoryTotalBytes)}</Fact>
        <Fact label="Booted">{when(machine.bootedAt)}</Fact>
        <Fact label="First seen">{when(machine.firstSeenAt)}</Fact>
      </FactPanel>
      <FactPanel id="latest-heading" title="Latest sample">
        <Fact label="Taken">{when(latest?.sampledAt ?? machine.lastSeenAt)}</Fact>
        <Fact label="CPU">
          <UsageBar percent={machine.cpuPercent} text={formatPercent(machine.cpuPercent)} />
        </Fact>
        <Fact label="Load (1 min)">
          {latest?.load1 == null ? MISSING : loadFormat.format(latest.load1)}
        </Fact>
        <Fact label="Memory">
          <UsageBar
            percent={percentOf(machine.memoryUsedBytes, machine.memoryTotalBytes)}
            text={formatUsedOfTotal(machine.memoryUsedBytes, machine.memoryTotalBytes)}
          />
        </Fact>
        <Fact label="Disk">
          <UsageBar
            percent={percentOf(machine.diskUsedBytes, machine.diskTotalBytes)}
            text={formatUsedOfTotal(machine.diskUsedBytes, machine.diskTotalBytes)}
          />
        </Fact>
        <Fact label="Users">{latest?.users.length ?? machine.userCount}</Fact>
      </FactPanel>
    </div>
  );
}

function FactPanel(props: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      <dl className="facts">{props.children}</dl>
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
