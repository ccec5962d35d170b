import { sweepCollectCommand } from './sweepCollectCommand.js';
import { sweepPlan } from './sweepPlan.js';
import { sweepRunTask } from './sweepRunTask.js';
import { sweepStatusCommand } from './sweepStatusCommand.js';

/** The subcommands of `sgd-factors sweep` (its first positional argument), by name. */
export const sweepSubcommands: Readonly<Record<string, (args: string[]) => Promise<number>>> = {
  plan: sweepPlan,
  run: sweepRunTask,
  status: sweepStatusCommand,
  collect: sweepCollectCommand,
};

/** The help text of the subcommands, part of `sgd-factors sweep --help`. */
export const SWEEP_SUBCOMMANDS_USAGE = `On a cluster (Slurm job array, Kubernetes Indexed Job, GNU parallel), one run per task:
  sgd-factors sweep plan (--preset NAME | --config FILE.json) <data flags> --out DIR
        [--slurm [--partition P] [--gres G] [--time T]] [--k8s --image IMG] [--max-parallel K] [--cpus-per-task C]
                      creates DIR/sweep.json and DIR/tasks.json (task index → run, frozen) and prints the
                      sbatch script (--slurm) or the Indexed Job manifest (--k8s)
  sgd-factors sweep run --out DIR [--task-index I] [--runner MODULE[#EXPORT]]
                      runs task I (default $SLURM_ARRAY_TASK_ID, then $JOB_COMPLETION_INDEX): exit 0 when
                      done (at once if it already was), 1 failed, 75 run me again later (stopped by
                      SIGTERM/SIGUSR1 keeping its last checkpoint, or another worker holds its lease)
  sgd-factors sweep status DIR [--missing]
                      done / running (holder, epochs) / failed / pending per task; --missing prints the
                      indices to resubmit (sbatch --array=3,17 …)
  sgd-factors sweep collect DIR
                      writes DIR/results.jsonl from the runs' result.json files
A run's lease (DIR/runs/<id>/lease) counts as abandoned after SGD_FACTORS_LEASE_STALE_SECONDS without a
heartbeat (default 600), at once when its holder was a process of this host that is gone or this same
(requeued) Slurm job.`;
