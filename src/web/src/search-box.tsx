/**
 * The header's search: finds users, machines, applications and processes as one types and
 * jumps to the chosen one. `/` anywhere focuses it; arrows move through the hits, Enter
 * opens one, Escape closes the list.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api } from './api';
import { readSearchHits, type SearchHit } from './search-hits';
import { navigate } from './use-hash-route';

/** Hits asked for per search. */
const SEARCH_LIMIT = 8;
/** Typing pauses this long before the hub is asked; 200 ms. */
const TYPING_PAUSE_MILLIS = 200;

const KIND_LABELS = {
  user: 'User',
  machine: 'Machine',
  application: 'Application',
  process: 'Process',
} as const;

export function SearchBox() {
  const input = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      const typing = target !== null && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
      if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const query = q.trim();
    if (query === '') {
      setHits([]);
      setMessage(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      void api.search(query, SEARCH_LIMIT).then((result) => {
        if (!current) return;
        if (result.kind === 'error') {
          setHits([]);
          setMessage(`Search failed: ${result.message}`);
          return;
        }
        const found = readSearchHits(result.value);
        setHits(found);
        setActive(0);
        setMessage(found.length === 0 ? `Nothing found for “${query}”.` : null);
      });
    }, TYPING_PAUSE_MILLIS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q]);

  const pick = (hit: SearchHit | undefined) => {
    if (hit === undefined) return;
    setOpen(false);
    setQ('');
    input.current?.blur();
    navigate(hit.href);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((index) => Math.min(index + 1, hits.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => Math.max(index - 1, 0));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      pick(hits[active]);
    } else if (event.key === 'Escape') {
      setOpen(false);
    }
  };

  const showList = open && (hits.length > 0 || message !== null);
  return (
    <div className="search-box">
      <input
        ref={input}
        type="search"
        role="combobox"
        aria-label="Search users, machines, applications and processes"
        aria-expanded={showList}
        aria-controls="search-hits"
        aria-activedescendant={showList && hits.length > 0 ? `search-hit-${active}` : undefined}
        aria-autocomplete="list"
        placeholder="Search ( / )"
        value={q}
        onChange={(event) => {
          setQ(event.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
      />
      {showList && (
        <ul id="search-hits" role="listbox" aria-label="Search results" className="search-hits">
          {hits.map((hit, index) => (
            <li
              key={`${hit.kind} ${hit.href}`}
              id={`search-hit-${index}`}
              role="option"
              aria-selected={index === active}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => pick(hit)}
            >
              <span className="hit-kind">{KIND_LABELS[hit.kind]}</span> {hit.label}
              {hit.detail !== '' && <span className="hit-detail"> {hit.detail}</span>}
            </li>
          ))}
          {message !== null && <li className="hit-message">{message}</li>}
        </ul>
      )}
    </div>
  );
}
