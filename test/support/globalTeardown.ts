import { killAllRecorded, loadEnsemble, stopEnsemble } from "../../scripts/ensemble";

/** Stops the ensemble globalSetup started; kills whatever is left even when stopping fails. */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env.ZK_ENSEMBLE_DIR;
  if (!dir) return;
  delete process.env.ZK_ENSEMBLE_DIR;
  try {
    await stopEnsemble(loadEnsemble(dir));
  } finally {
    await killAllRecorded(dir).catch(() => []);
  }
}
