/**
 * Which activation each hidden layer uses: one name for all, or a list (one per hidden layer), as
 * the CLI's --activation, the config's `activation` and the model file's `activation` key give it.
 */
import { UserError } from '../errors.js';
import { ACTIVATIONS, type Activation, isActivation } from '../backend/activation.js';

/** One name for every hidden layer, or one per hidden layer. */
export type ActivationSpec = Activation | readonly Activation[];

/** Thrown for an activation name this library does not know (the CLI: exit 2). */
export class ActivationError extends UserError {
  override name = 'ActivationError';
}

/**
 * The per-layer list for `hidden` hidden layers. A comma-separated string is split; a single name
 * applies to every layer; a list must have one entry per hidden layer.
 */
export function checkActivations(spec: unknown, hidden: number): Activation[] {
  const list: unknown[] = typeof spec === 'string' ? spec.split(',').map((s) => s.trim()) : Array.isArray(spec) ? [...spec] : [spec];
  for (const name of list) {
    if (!isActivation(name)) {
      throw new ActivationError(
        `Unknown activation ${JSON.stringify(name)}; expected one of ${ACTIVATIONS.join(', ')} (or a comma list, one per hidden layer)`,
      );
    }
  }
  const names = list as Activation[];
  if (names.length === 1) return Array.from({ length: hidden }, () => names[0]);
  if (names.length !== hidden) {
    throw new ActivationError(
      `Expected one activation or ${hidden} (one per hidden layer) but received ${names.length}: ${names.join(',')}`,
    );
  }
  return names;
}

/** The model file's `activation` value: the one name when every hidden layer shares it, else a comma list. */
export function activationText(activations: readonly Activation[]): string {
  if (activations.length === 0) return 'relu';
  return activations.every((a) => a === activations[0]) ? activations[0] : activations.join(',');
}
