/**
 * How a workflow that torc-edge has not finished creating looks in Torc 1.0.0, so that a crash at
 * any point (of the Worker, of torc-server, of the network) leaves nothing that can run and
 * nothing a later call cannot find:
 *
 * - It is created under the reserved name INCOMPLETE_NAME (exact, so `GET /workflows?name=` finds
 *   it on the server) and keeps it until every record has landed; `unmark` then gives it its name.
 * - Right after creation, before any job exists, it is canceled and archived. Archived, `torc run`,
 *   `torc submit`, `torc workflows init` refuse to initialise it ("Workflow N is archived") and
 *   `reset_status` refuses to lift the cancel; canceled, torc-server hands none of its jobs to a
 *   runner (both claim endpoints answer nothing). Its jobs are created `uninitialized` besides.
 * - The guard comes off only after `unmark`: unarchive, then `reset_status` (lifts the cancel,
 *   run 1 begins, as `torc workflows init` does), then `initialize_jobs`.
 *
 * So a workflow that is not complete always carries the name; one that carries the name is
 * archived and canceled, or has no jobs yet. `sweepIncomplete` removes those older than
 * SWEEP_MIN_AGE_MS.
 */
export const INCOMPLETE_NAME = 'torc-edge:incomplete-creation'

/**
 * A marked workflow younger than this (by torc-server's clock) may belong to a creation still in
 * progress, and is left alone: twice the longest a creation call runs (CREATION_BUDGET.answerMs).
 */
export const SWEEP_MIN_AGE_MS = 60_000

/** The guard, as a sentence for answers. */
export const GUARD_TEXT = `named "${INCOMPLETE_NAME}", archived and canceled, so none of its jobs can run`
