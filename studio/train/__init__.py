"""Training. One run, top to bottom, through this package's files:

1. `recipe.py` turns what the user chose into a RunConfig (suggested settings from the model's size and the
   data's usable rows, then the preset's, then the user's) and says the plan (rows, steps, time, memory fit,
   where and how it trains); `cli.py` reads a `studio train` line into the same RunConfig.
2. `runner.py` checks the config, makes the run folder (`runs.create`: config.yaml, status.json) and starts
   the worker as a process of its own, through `launch.py`'s `accelerate launch` when several processes or
   FSDP share it; `locks.py` queues runs on one device, in the order `queue.py` keeps.
3. `worker.py` (`python -m studio.train RUN_DIR`) reads config.yaml back and runs `engine.py`: `data.py`
   loads the rows the Data step counted and tokenises them with the assistant-only mask, the model loads
   (4-bit where the recipe says), trl's trainer trains with `speed.py`'s CPU fast paths and `fsdp.py`'s
   sharding, and `callbacks.py` writes metrics.jsonl and status.json, honours Stop and fails a NaN loss.
4. The engine saves the adapter atomically; `evidence.py` judges whether the run is done (finite losses, the
   planned steps, an adapter that moved), and the worker writes how it ended, by key, in both languages.
`share.py` frees the app's GPU models before a GPU run starts. A GRPO run's worker is `python -m studio.rewards.worker
RUN_DIR`: the same worker, with the engine given the run's rewards (they judge with the evaluate layer's meters, above
this one) after they are checked on the reference answers."""
