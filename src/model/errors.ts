/** The error every model reader and writer throws. */

/** A model file that cannot be read, decoded or written. The message starts with the file name. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
}
