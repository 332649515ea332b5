/** Everyone who may sign in, with their role; an administrator adds, changes and removes. */
import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ApiState, Outcome } from './api-state';
import { useApiCall } from './use-api-call';

const ROLES = ['viewer', 'operator', 'administrator'] as const;

export function PeopleSection({ onSessionLost }: { onSessionLost: () => void }) {
  const [generation, setGeneration] = useState(0);
  const [outcome, setOutcome] = useState<{ text: string; isError: boolean } | null>(null);
  const call = useApiCall(api.listPeople, `people-${generation}`, onSessionLost);
  const people = call.value?.people;
  const reload = () => setGeneration((n) => n + 1);

  const changeRole = async (name: string, role: string) => {
    const result = await api.changeRole(name, role);
    setOutcome(
      result.kind === 'ok'
        ? { text: `${name} is now ${role}.`, isError: false }
        : { text: `Role not changed: ${result.message}`, isError: true },
    );
    reload();
  };
  const remove = async (name: string) => {
    if (!window.confirm(`Remove ${name}? They are signed out at once.`)) return;
    const result = await api.removePerson(name);
    setOutcome(
      result.kind === 'ok'
        ? { text: `${name} was removed.`, isError: false }
        : { text: `Not removed: ${result.message}`, isError: true },
    );
    reload();
  };

  return (
    <>
      {people === undefined ? (
        <ApiState call={call} what="People" />
      ) : (
        <table className="data-table" aria-label="People">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Password</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {people.map((person) => (
              <tr key={person.id}>
                <th scope="row">{person.name}</th>
                <td>
                  <select
                    aria-label={`Role of ${person.name}`}
                    value={person.role}
                    onChange={(event) => void changeRole(person.name, event.target.value)}
                  >
                    {ROLES.map((entry) => (
                      <option key={entry}>{entry}</option>
                    ))}
                  </select>
                </td>
                <td>{person.mustChangePassword ? 'set for them; not yet changed' : 'their own'}</td>
                <td>
                  <button type="button" onClick={() => void remove(person.name)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Outcome outcome={outcome} />
      <AddPersonForm onAdded={reload} />
    </>
  );
}

function AddPersonForm({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('viewer');
  const [outcome, setOutcome] = useState<{ text: string; isError: boolean } | null>(null);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const result = await api.addPerson({ name: name.trim(), role });
    if (result.kind === 'error') {
      setOutcome({ text: `Not added: ${result.message}`, isError: true });
      return;
    }
    const password = typeof result.value.password === 'string' ? result.value.password : null;
    setOutcome({
      text:
        password === null
          ? `Added ${name.trim()}.`
          : `Added ${name.trim()}. Their first password, shown once: ${password}`,
      isError: false,
    });
    setName('');
    onAdded();
  };

  return (
    <form className="stacked-form" aria-label="Add a person" onSubmit={(event) => void add(event)}>
      <label>
        Name <input value={name} onChange={(event) => setName(event.target.value)} required />
      </label>
      <label>
        Role{' '}
        <select value={role} onChange={(event) => setRole(event.target.value)}>
          {ROLES.map((entry) => (
            <option key={entry}>{entry}</option>
          ))}
        </select>
      </label>
      <button type="submit">Add person</button>
      <Outcome outcome={outcome} />
    </form>
  );
}
