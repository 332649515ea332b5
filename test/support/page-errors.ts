/**
 * Collects what a browser page reports as wrong: console messages of type error and uncaught
 * page errors, on every page of a context. Browser tests call `assertNone` after each step,
 * so a page that logs an error fails the test that showed it.
 */
import assert from 'node:assert/strict';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';

export interface PageErrors {
  /** Fails with every error seen since the last check, naming `where`; then starts afresh. */
  assertNone(where: string): void;
  /** Hands over the errors seen since the last check (for a step that must cause one). */
  take(): string[];
}

/**
 * The one error the web UI causes on purpose: asking the hub who is signed in answers 401
 * before anyone is, and Chromium logs every 4xx answer as a console error.
 */
function expected(message: ConsoleMessage): boolean {
  return (
    /status of 401/.test(message.text()) &&
    new URL(message.location().url || 'http://x/').pathname === '/api/v1/session'
  );
}

/** Watches every page `context` has and opens from now on. */
export function watchPageErrors(context: BrowserContext): PageErrors {
  const seen: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error' && !expected(message)) {
        seen.push(`console error on ${page.url()}: ${message.text()} (${message.location().url})`);
      }
    });
    page.on('pageerror', (error) => seen.push(`page error on ${page.url()}: ${error.stack}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    assertNone(where) {
      const found = seen.splice(0);
      assert.deepEqual(found, [], `errors in the browser ${where}`);
    },
    take: () => seen.splice(0),
  };
}
