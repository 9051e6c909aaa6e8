"""Scale benchmarks for Capstan: `capstan sim` and `capstan run` as separate processes,
driven and measured from outside (hack/bench/scale.sh)."""
