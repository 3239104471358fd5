import { UserError } from '../errors.js';

/** A sweep's user errors (bad params, a locked or changed run folder, an unreachable Redis): one line, exit 2. */
export class SweepError extends UserError {
  override name = 'SweepError';
}
