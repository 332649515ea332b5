/**
 * A list on a page of its own (Machines, Users, Applications, ...): a time range and the
 * inspector over the list API.
 */
import { Inspector } from './inspector';
import { useListDescription } from './list-catalog';
import { TimeRangePicker } from './time-range-picker';
import { useTimeRange } from './time-range';
import type { ListName, Route } from './use-hash-route';

/** Each list's name as the navigation and headings show it. */
export const LIST_TITLES: Record<ListName, string> = {
  machines: 'Machines',
  users: 'Users',
  applications: 'Applications',
  processes: 'Processes',
  logons: 'Logons',
  connections: 'Connections',
  destinations: 'Destinations',
};

interface ListPageProps {
  list: ListName;
  route: Route;
  onSessionLost: () => void;
}

export function ListPage({ list, route, onSessionLost }: ListPageProps) {
  const range = useTimeRange(route.params);
  const { description } = useListDescription(list);
  return (
    <article aria-labelledby="list-page-heading">
      <div className="page-title">
        <h1 id="list-page-heading">{LIST_TITLES[list]}</h1>
        {description?.timeRange === true && (
          <TimeRangePicker key={route.params.get('range') ?? ''} route={route} range={range} />
        )}
      </div>
      <Inspector
        key={list}
        list={list}
        title={LIST_TITLES[list]}
        route={route}
        range={range}
        onSessionLost={onSessionLost}
      />
    </article>
  );
}
