/**
 * Administration: collectors and agents, activation tokens, people and roles, the change log,
 * policies and site settings. Everyone signed in sees what the hub shows their role; only
 * administrators
 * see the sections and the actions that need that role.
 */
import { ChangeLogSection } from './change-log-section';
import { CollectorsSection, AgentsSection } from './component-sections';
import { PeopleSection } from './people-section';
import { PoliciesSection } from './policies-section';
import { SettingsSection } from './settings-section';
import { TokensSection } from './tokens-section';
import type { AdminSection, Route } from './use-hash-route';

const SECTION_TITLES: Record<AdminSection, string> = {
  collectors: 'Collectors',
  agents: 'Agents',
  tokens: 'Activation tokens',
  people: 'People and roles',
  'change-log': 'Change log',
  policies: 'Policies',
  settings: 'Settings',
};

/** Sections that read routes only administrators may call. */
const ADMINISTRATORS_ONLY: AdminSection[] = ['tokens', 'people', 'change-log', 'settings'];

interface AdminPageProps {
  section: AdminSection;
  route: Route;
  isAdministrator: boolean;
  onSessionLost: () => void;
}

export function AdminPage({ section, route, isAdministrator, onSessionLost }: AdminPageProps) {
  const visible = (Object.keys(SECTION_TITLES) as AdminSection[]).filter(
    (entry) => isAdministrator || !ADMINISTRATORS_ONLY.includes(entry),
  );
  const shown = visible.includes(section) ? section : 'collectors';
  return (
    <article aria-labelledby="admin-heading">
      <h1 id="admin-heading">Administration</h1>
      <nav className="sub-nav" aria-label="Administration">
        {visible.map((entry) => (
          <a
            key={entry}
            href={`#/admin/${entry}`}
            aria-current={entry === shown ? 'page' : undefined}
          >
            {SECTION_TITLES[entry]}
          </a>
        ))}
      </nav>
      <h2>{SECTION_TITLES[shown]}</h2>
      <Section
        section={shown}
        route={route}
        isAdministrator={isAdministrator}
        onSessionLost={onSessionLost}
      />
    </article>
  );
}

function Section({ section, route, isAdministrator, onSessionLost }: AdminPageProps) {
  switch (section) {
    case 'collectors':
      return <CollectorsSection onSessionLost={onSessionLost} />;
    case 'agents':
      return <AgentsSection route={route} onSessionLost={onSessionLost} />;
    case 'tokens':
      return <TokensSection onSessionLost={onSessionLost} />;
    case 'people':
      return <PeopleSection onSessionLost={onSessionLost} />;
    case 'change-log':
      return <ChangeLogSection route={route} onSessionLost={onSessionLost} />;
    case 'policies':
      return <PoliciesSection canChange={isAdministrator} onSessionLost={onSessionLost} />;
    case 'settings':
      return <SettingsSection canChange={isAdministrator} onSessionLost={onSessionLost} />;
  }
}
