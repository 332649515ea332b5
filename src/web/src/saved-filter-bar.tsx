/**
 * Saved filters under an inspector: apply one of the person's named filters (saved from any
 * list), save the current one under a name, or remove one. They are kept on the hub.
 */
import { useState, type FormEvent } from 'react';
import { api } from './api';
import { Outcome } from './api-state';
import { readInspectorState, savableParams, type InspectorState } from './inspector-state';
import { useApiCall } from './use-api-call';

interface SavedFilterBarProps {
  list: string;
  state: InspectorState;
  onApply: (state: InspectorState) => void;
  onSessionLost: () => void;
}

export function SavedFilterBar({ list, state, onApply, onSessionLost }: SavedFilterBarProps) {
  const [generation, setGeneration] = useState(0);
  const saved = useApiCall(api.listSavedFilters, `saved-${generation}`, onSessionLost);
  const [chosen, setChosen] = useState('');
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ text: string; isError: boolean } | null>(null);
  const filters = saved.value?.filters ?? [];
  const current = savableParams(state);
  const selected = filters.find((filter) => filter.id === chosen);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const result = await api.saveFilter({ name: name.trim(), list, params: current });
    if (result.kind === 'ok') {
      setMessage({ text: `Saved as “${result.value.name}”.`, isError: false });
      setName('');
      setGeneration((n) => n + 1);
    } else {
      setMessage({ text: `Not saved: ${result.message}`, isError: true });
    }
  };

  const remove = async () => {
    if (selected === undefined) return;
    const result = await api.deleteSavedFilter(selected.id);
    if (result.kind === 'ok') {
      setMessage({ text: `Removed “${selected.name}”.`, isError: false });
      setChosen('');
      setGeneration((n) => n + 1);
    } else {
      setMessage({ text: `Not removed: ${result.message}`, isError: true });
    }
  };

  return (
    <div className="saved-filters">
      <label>
        Saved filter{' '}
        <select value={chosen} onChange={(event) => setChosen(event.target.value)}>
          <option value="">–</option>
          {filters.map((filter) => (
            <option key={filter.id} value={filter.id}>
              {filter.name}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        disabled={selected === undefined}
        onClick={() =>
          selected && onApply(readInspectorState(new URLSearchParams(selected.params), ''))
        }
      >
        Apply
      </button>
      <button type="button" disabled={selected === undefined} onClick={() => void remove()}>
        Remove
      </button>
      <form className="inline-form" onSubmit={(event) => void save(event)}>
        <input
          aria-label="Name for this filter"
          placeholder="Name for this filter"
          value={name}
          maxLength={100}
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit" disabled={name.trim() === '' || Object.keys(current).length === 0}>
          Save filter
        </button>
      </form>
      <Outcome outcome={message} />
    </div>
  );
}
