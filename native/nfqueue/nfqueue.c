/*
 * Strata's netfilter queue hook: receives outgoing packets that an iptables NFQUEUE rule sends
 * to a queue, hands each to JavaScript with the uid of the socket that sent it, and gives the
 * packet back to the kernel as JavaScript rewrote it (or unchanged). The kernel keeps going
 * without us: the rule's --queue-bypass passes packets when no program holds the queue, and
 * NFQA_CFG_F_FAIL_OPEN passes them when the queue is full. So tagging fails open.
 *
 * JavaScript API:
 *   openQueue(number, onPacket) -> handle
 *     onPacket(buffer, length, uid, outInterface) -> new length, or 0 to pass the packet as is.
 *     `buffer` has room past `length` so the packet may grow; uid is -1 when the packet has no
 *     local socket. Called on the event loop thread, one packet at a time.
 *   closeQueue(handle)
 */
/* glibc's socket headers first: they tell the kernel's headers which definitions to skip. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <node_api.h>
#include <uv.h>

/* Room a packet may grow by in JavaScript: a UDP trailer or a TCP option is far smaller. */
#define GROWTH_BYTES 64
/* Most packets waiting in the kernel for a verdict before it passes them unhandled. */
#define QUEUE_MAX_PACKETS 4096
/* Receive buffer of the netlink socket: 4 MiB, so a burst of new connections is not lost. */
#define SOCKET_BUFFER_BYTES (4 * 1024 * 1024)
#define RECEIVE_BUFFER_BYTES (0xffff + 4096)

typedef struct {
  napi_env env;
  napi_ref callback;
  napi_async_context async_context;
  struct nfq_handle *handle;
  struct nfq_q_handle *queue;
  uv_poll_t poll;
  int closed;
  char buffer[RECEIVE_BUFFER_BYTES];
} queue_t;

#define CHECK(env, call)                                                         \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error((env), "STRATA_NFQUEUE", "N-API call failed: " #call);   \
      return NULL;                                                               \
    }                                                                            \
  } while (0)

/* Asks JavaScript for the packet's new length; 0 (or any failure) passes it unchanged. */
static uint32_t ask_javascript(queue_t *q, unsigned char *data, int length, int64_t uid,
                               uint32_t out_interface, unsigned char **rewritten) {
  napi_env env = q->env;
  napi_handle_scope scope;
  uint32_t new_length = 0;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return 0;
  void *copy = NULL;
  napi_value argv[4], callback, resource, result;
  if (napi_create_buffer(env, (size_t)length + GROWTH_BYTES, &copy, &argv[0]) == napi_ok &&
      napi_create_uint32(env, (uint32_t)length, &argv[1]) == napi_ok &&
      napi_create_int64(env, uid, &argv[2]) == napi_ok &&
      napi_create_uint32(env, out_interface, &argv[3]) == napi_ok &&
      napi_get_reference_value(env, q->callback, &callback) == napi_ok &&
      napi_create_object(env, &resource) == napi_ok) {
    memcpy(copy, data, (size_t)length);
    memset((char *)copy + length, 0, GROWTH_BYTES);
    napi_status status =
        napi_make_callback(env, q->async_context, resource, callback, 4, argv, &result);
    if (status == napi_ok) {
      if (napi_get_value_uint32(env, result, &new_length) != napi_ok) new_length = 0;
    } else {
      /* A throwing callback must not take the process down with packets held in the queue. */
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
    }
    if (new_length > (uint32_t)length + GROWTH_BYTES) new_length = 0;
    if (new_length > 0) {
      *rewritten = malloc(new_length);
      if (*rewritten) memcpy(*rewritten, copy, new_length);
      else new_length = 0;
    }
  }
  napi_close_handle_scope(env, scope);
  return new_length;
}

static int on_packet(struct nfq_q_handle *queue, struct nfgenmsg *message,
                     struct nfq_data *packet, void *data) {
  (void)message;
  queue_t *q = data;
  struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr(packet);
  if (!header) return 0;
  uint32_t id = ntohl(header->packet_id);
  unsigned char *payload = NULL;
  int length = nfq_get_payload(packet, &payload);
  uint32_t uid = 0;
  int64_t owner = nfq_get_uid(packet, &uid) ? (int64_t)uid : -1;
  uint32_t out_interface = nfq_get_outdev(packet);

  unsigned char *rewritten = NULL;
  uint32_t new_length =
      length > 0 ? ask_javascript(q, payload, length, owner, out_interface, &rewritten) : 0;
  int verdict = new_length > 0
                    ? nfq_set_verdict(queue, id, NF_ACCEPT, new_length, rewritten)
                    : nfq_set_verdict(queue, id, NF_ACCEPT, 0, NULL);
  free(rewritten);
  return verdict < 0 ? -1 : 0;
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  queue_t *q = poll->data;
  if (status < 0 || q->closed) return;
  int fd = nfq_fd(q->handle);
  for (;;) {
    ssize_t received = recv(fd, q->buffer, sizeof q->buffer, MSG_DONTWAIT);
    if (received > 0) {
      nfq_handle_packet(q->handle, q->buffer, (int)received);
      continue;
    }
    /* ENOBUFS: the kernel dropped messages; those packets wait for the queue to close. */
    if (received < 0 && errno == EINTR) continue;
    break;
  }
}

static void on_closed(uv_handle_t *handle) { free(handle->data); }

static void close_queue(queue_t *q) {
  if (q->closed) return;
  q->closed = 1;
  uv_poll_stop(&q->poll);
  nfq_destroy_queue(q->queue);
  nfq_close(q->handle);
  napi_delete_reference(q->env, q->callback);
  napi_async_destroy(q->env, q->async_context);
  uv_close((uv_handle_t *)&q->poll, on_closed);
}

static napi_value throw_errno(napi_env env, const char *what) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s (is this root, with the nfnetlink_queue module?)",
           what, strerror(errno));
  napi_throw_error(env, "STRATA_NFQUEUE", message);
  return NULL;
}

static napi_value open_queue(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t number = 0;
  napi_valuetype type;
  CHECK(env, napi_typeof(env, argv[1], &type));
  if (argc < 2 || napi_get_value_uint32(env, argv[0], &number) != napi_ok ||
      type != napi_function) {
    napi_throw_type_error(env, "STRATA_NFQUEUE", "openQueue(number, onPacket)");
    return NULL;
  }
  queue_t *q = calloc(1, sizeof *q);
  if (!q) return throw_errno(env, "out of memory");
  q->env = env;
  q->handle = nfq_open();
  if (!q->handle) {
    free(q);
    return throw_errno(env, "cannot open the netfilter queue socket");
  }
  q->queue = nfq_create_queue(q->handle, (uint16_t)number, on_packet, q);
  if (!q->queue) {
    nfq_close(q->handle);
    free(q);
    return throw_errno(env, "cannot bind the netfilter queue");
  }
  nfq_set_mode(q->queue, NFQNL_COPY_PACKET, 0xffff);
  nfq_set_queue_maxlen(q->queue, QUEUE_MAX_PACKETS);
  uint32_t flags = NFQA_CFG_F_UID_GID | NFQA_CFG_F_FAIL_OPEN;
  if (nfq_set_queue_flags(q->queue, flags, flags) < 0) {
    close_queue(q);
    return throw_errno(env, "the kernel does not give socket owners to queues");
  }
  int fd = nfq_fd(q->handle);
  int bytes = SOCKET_BUFFER_BYTES;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes);

  napi_value name;
  CHECK(env, napi_create_string_utf8(env, "strata.nfqueue", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_async_init(env, NULL, name, &q->async_context));
  CHECK(env, napi_create_reference(env, argv[1], 1, &q->callback));
  uv_loop_t *loop;
  CHECK(env, napi_get_uv_event_loop(env, &loop));
  q->poll.data = q;
  if (uv_poll_init(loop, &q->poll, fd) != 0 ||
      uv_poll_start(&q->poll, UV_READABLE, on_readable) != 0) {
    napi_throw_error(env, "STRATA_NFQUEUE", "cannot watch the netfilter queue socket");
    return NULL;
  }
  napi_value handle;
  CHECK(env, napi_create_external(env, q, NULL, NULL, &handle));
  return handle;
}

static napi_value close_queue_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *q = NULL;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_external(env, argv[0], &q) != napi_ok || !q) {
    napi_throw_type_error(env, "STRATA_NFQUEUE", "closeQueue(handle)");
    return NULL;
  }
  close_queue(q);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"openQueue", NULL, open_queue, NULL, NULL, NULL, napi_default, NULL},
      {"closeQueue", NULL, close_queue_js, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, 2, methods));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
