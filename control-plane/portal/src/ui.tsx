// Pieces every page uses: the problem box, the pager, the confirmation dialog, formatting.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Page, type Problem } from './api';

/** Shows an error as the API described it: title, detail, and the fields at fault. */
export function ProblemBox({ error }: { error: unknown }) {
  if (!error) return null;
  const problem: Problem = error instanceof ApiError
    ? error.problem
    : { title: 'Something went wrong', status: 0, detail: error instanceof Error ? error.message : String(error) };
  return (
    <div class="problem" role="alert">
      <strong class="problem-title">{problem.title}</strong>
      {problem.detail && <p class="problem-detail">{problem.detail}</p>}
      {problem.errors && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e) => (
            <li key={e.field}>
              <code>{e.field}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
      {problem.requestId && <p class="muted">Request id {problem.requestId}</p>}
    </div>
  );
}

/**
 * A cursor-paginated list (the API's {items, nextCursor}): loads the first page, then the next on request, and
 * remembers the cursors behind so that "Previous" works too.
 */
export function usePaged<T>(load: (cursor: string | null) => Promise<Page<T>>, deps: unknown[]) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<Page<T> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    setCursors([null]);
  }, deps);

  useEffect(() => {
    let current = true;
    setLoading(true);
    load(cursor)
      .then((answer) => current && (setPage(answer), setError(null)))
      .catch((e) => current && setError(e))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [cursor, tick, ...deps]);

  return {
    page,
    error,
    loading,
    reload: () => setTick((t) => t + 1),
    pager: (
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <span class="muted">Page {cursors.length}</span>
        <button type="button" disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
          Next page
        </button>
      </nav>
    ),
  };
}

/** A modal dialog (the platform's <dialog>: focus is trapped and Escape closes it). */
export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby="dialog-title" onClose={props.onClose}>
      {props.open && (
        <>
          <h2 id="dialog-title">{props.title}</h2>
          {props.children}
        </>
      )}
    </dialog>
  );
}

export function formatTime(value: string | null | undefined): string {
  if (!value) return '—';
  return new Date(value).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toLocaleString();
}

/** Runs an action, showing it as busy and keeping its error for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run, clear: () => setError(null) };
}
