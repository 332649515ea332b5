-- Network flows from network collectors: one row per connection per interval (a minute of
-- capture time, shorter at the connection's start and end), attributed where possible to the
-- machine and user behind it. Counts cover the interval only; state and history are as of its
-- end. Like the other time series, no foreign keys: intake writes a batch in one transaction.
-- Not yet: day partitions, roll-ups and retention (as for the other time series).

-- One row per batch ever stored: the collector's batch id makes a second delivery a no-op.
CREATE TABLE network_flow_batches (
  batch_id uuid PRIMARY KEY,
  collector_id uuid NOT NULL,
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  records integer NOT NULL
);

CREATE TABLE network_flows (
  collector_id uuid NOT NULL,
  batch_id uuid NOT NULL,
  interval_start timestamptz NOT NULL,
  interval_end timestamptz NOT NULL,
  -- The first packet of the connection; with the addresses, ports and collector it names it.
  connection_start timestamptz NOT NULL,
  transport text NOT NULL CHECK (transport IN ('tcp', 'udp')),
  orig_address inet NOT NULL,
  orig_port integer NOT NULL,
  resp_address inet NOT NULL,
  resp_port integer NOT NULL,
  protocol text NOT NULL,
  protocol_rule text NOT NULL,
  server_name text,
  -- The process behind the connection, when its machine's agent reported the connection.
  application text,
  machine_id uuid,
  user_id uuid,
  -- How the machine was found: a Connector ID tag, or the address its callbacks reported.
  attribution text CHECK (attribution IN ('tag', 'address')),
  -- Which end of the connection that machine is: the originator or the responder.
  machine_side text CHECK (machine_side IN ('orig', 'resp')),
  -- 'open' for a connection that goes on; else why it ended: idle, replaced, finished.
  end_reason text NOT NULL,
  conn_state text NOT NULL,
  history text NOT NULL,
  orig_packets bigint NOT NULL,
  orig_bytes bigint NOT NULL,
  orig_payload_bytes bigint NOT NULL,
  orig_retransmissions integer NOT NULL,
  orig_out_of_order integer NOT NULL,
  orig_zero_windows integer NOT NULL,
  resp_packets bigint NOT NULL,
  resp_bytes bigint NOT NULL,
  resp_payload_bytes bigint NOT NULL,
  resp_retransmissions integer NOT NULL,
  resp_out_of_order integer NOT NULL,
  resp_zero_windows integer NOT NULL,
  -- In the row of the interval in which the handshake completed; null elsewhere.
  handshake_rtt_seconds double precision,
  ack_rtt_count integer NOT NULL,
  ack_rtt_sum_seconds double precision NOT NULL,
  ack_rtt_min_seconds double precision,
  ack_rtt_max_seconds double precision,
  response_count integer NOT NULL,
  response_sum_seconds double precision NOT NULL,
  response_min_seconds double precision,
  response_max_seconds double precision,
  response_unanswered integer NOT NULL
);
CREATE INDEX network_flows_time ON network_flows (interval_start);
CREATE INDEX network_flows_machine_time ON network_flows (machine_id, interval_start);
CREATE INDEX network_flows_user_time ON network_flows (user_id, interval_start);

-- What each network collector said about itself with its latest batch: packets seen and
-- skipped by reason, capture drops, its queue on disk and what it set aside.
CREATE TABLE network_collectors (
  collector_id uuid PRIMARY KEY,
  reported_at timestamptz NOT NULL,
  status jsonb NOT NULL
);
