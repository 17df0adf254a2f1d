"""Where work runs.  A stage is a plain function ``stage(item, shared)``;
an executor maps it over items, in their order, in this process
(``seam.InProcess``), in a pool of this machine's processes
(``pool.ProcessPool``) or on a Dask cluster (``cluster.DaskExecutor``).
Stages see only ``seam``; the build's driver alone picks an executor
(``choose.executor_for``) and hands it to the stages that map."""
