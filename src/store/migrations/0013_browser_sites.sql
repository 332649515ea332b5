-- Browser figures per browser, account and site (scheme, host, port; never a path) at each
-- callback: the page loads the Strata extension timed since the previous callback and the
-- tabs open on the site.
CREATE TABLE browser_site_samples (
  machine_id uuid NOT NULL,
  sampled_at timestamptz NOT NULL,
  callback_id uuid NOT NULL,
  browser text NOT NULL,
  account text NOT NULL,
  site text NOT NULL,
  page_loads integer NOT NULL,
  load_millis_min real,
  load_millis_mean real,
  load_millis_max real,
  load_millis_p95 real,
  first_byte_millis_mean real,
  first_paint_millis_mean real,
  transfer_bytes bigint NOT NULL,
  open_tabs integer NOT NULL,
  js_heap_used_bytes bigint
);
CREATE INDEX browser_site_samples_machine_time ON browser_site_samples (machine_id, sampled_at);
CREATE INDEX browser_site_samples_site ON browser_site_samples (site, sampled_at);
