-- Remote display sessions (RDP, Citrix ICA and CGP, PCoIP, Blast) that clients held open to a
-- machine at each sample, with the kernel's figures for the connection. Byte and
-- retransmission counts are over the connection's life so far, as the kernel keeps them.
CREATE TABLE display_session_samples (
  machine_id uuid NOT NULL,
  sampled_at timestamptz NOT NULL,
  callback_id uuid NOT NULL,
  protocol text NOT NULL,
  transport text NOT NULL,
  server_port integer NOT NULL,
  client_address text NOT NULL,
  client_port integer NOT NULL,
  process text NOT NULL,
  pid integer,
  rtt_millis real,
  rtt_variation_millis real,
  min_rtt_millis real,
  bytes_sent bigint,
  bytes_received bigint,
  retransmitted_segments bigint,
  delivery_rate_bits_per_second bigint
);
CREATE INDEX display_session_samples_machine_time
  ON display_session_samples (machine_id, sampled_at);
