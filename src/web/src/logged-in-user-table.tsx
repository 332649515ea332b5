/** Who was signed in to the machine at the latest sample, and from where. */
import type { LoggedInUser } from './api-types';
import { MISSING } from './format';
import { RelativeTime } from './relative-time';

interface LoggedInUserTableProps {
  users: LoggedInUser[];
  nowMillis: number;
}

export function LoggedInUserTable({ users, nowMillis }: LoggedInUserTableProps) {
  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      {users.length === 0 ? (
        <p className="empty-state">Nobody was signed in at the latest sample.</p>
      ) : (
        <table className="data-table" aria-label="Users">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Terminal</th>
              <th scope="col">From</th>
              <th scope="col">Signed in</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user, index) => (
              // One account may hold several sessions on the same terminal name; the sample's
              // order is stable between renders, so the position keeps keys unique.
              <tr key={`${index}:${user.account}`}>
                <th scope="row">{user.account}</th>
                <td>{user.terminal || MISSING}</td>
                {/* An empty "from" is the machine's own console, not a missing value. */}
                <td>{user.from || 'Local console'}</td>
                <td>
                  <RelativeTime iso={user.loggedInAt} nowMillis={nowMillis} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
