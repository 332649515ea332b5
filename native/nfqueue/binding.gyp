{
  "targets": [
    {
      "target_name": "strata_nfqueue",
      "sources": ["nfqueue.c"],
      "libraries": ["-lnetfilter_queue"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
