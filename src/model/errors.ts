/** The error every model reader and writer throws. */
import { UserError } from '../errors.js';

/** A model file that cannot be read, decoded or written. The message starts with the file name. */
export class ModelFileError extends UserError {
  override name = 'ModelFileError';
}
