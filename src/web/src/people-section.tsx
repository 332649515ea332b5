/** Everyone who may sign in, with their role; an administrator adds people here. */
import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ApiState, Outcome } from './api-state';
import { useApiCall } from './use-api-call';

const ROLES = ['viewer', 'operator', 'administrator'] as const;

export function PeopleSection({ onSessionLost }: { onSessionLost: () => void }) {
  const [generation, setGeneration] = useState(0);
  const call = useApiCall(api.listPeople, `people-${generation}`, onSessionLost);
  const people = call.value?.people;
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
            </tr>
          </thead>
          <tbody>
            {people.map((person) => (
              <tr key={person.id}>
                <th scope="row">{person.name}</th>
                <td>{person.role}</td>
                <td>{person.mustChangePassword ? 'set for them; not yet changed' : 'their own'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AddPersonForm onAdded={() => setGeneration((n) => n + 1)} />
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
