/**
 * Limits every entry point shares (CLI flags, the network, both model loaders), so a network the
 * CLI accepts can always be saved and loaded again.
 */

/** The largest layer size (inputs, hidden units or classes). */
export const MAX_LAYER_SIZE = 1 << 20;
