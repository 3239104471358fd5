console.log("native-mlp: install placeholder");
