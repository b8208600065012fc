// The generator in the browser: its ONNX file run by ONNX Runtime Web (WebAssembly, one thread),
// and the seeded noise it is fed.

import * as ort from "./ort/ort.wasm.min.mjs";

// Everything comes from this site's own folder and runs on one thread, so a plain static server
// is enough: no cross-origin isolation headers, nothing fetched from anywhere else.
ort.env.wasm.wasmPaths = new URL("./ort/", import.meta.url).href;
ort.env.wasm.numThreads = 1;

export const IMAGE_SIZE = 28;

/** Numbers uniform in [0, 1) from a 32-bit seed (the mulberry32 generator): the same seed gives
 * the same numbers in every browser, but not the numbers of Python's studio. */
export function uniformNumbers(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` × `size` standard-normal numbers from `seed`, by the Box–Muller transform. */
export function normalNoise(seed, count, size) {
  const uniform = uniformNumbers(seed);
  const noise = new Float32Array(count * size);
  for (let index = 0; index < noise.length; index += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));  // 1 - u: never log(0)
    const angle = 2 * Math.PI * uniform();
    noise[index] = radius * Math.cos(angle);
    if (index + 1 < noise.length) noise[index + 1] = radius * Math.sin(angle);
  }
  return noise;
}

/** A generator exported by `python -m cgan_lib export --morph`: inputs z, digit, morph_to and
 * mix; output the images, N × 28 × 28 × 1 in [-1, 1]. */
export class Generator {
  constructor(session) {
    this.session = session;
    this.latentSize = session.inputMetadata.find((input) => input.name === "z").shape[1];
  }

  static async load(url) {
    return new Generator(await ort.InferenceSession.create(url, { executionProviders: ["wasm"] }));
  }

  /** Images for N rows of noise `z`, each drawn as `digits[i]` blended toward `morphTo[i]` by
   * `mixes[i]` (0: the digit itself); a Float32Array of N × 28 × 28 values in [-1, 1]. */
  async draw(z, digits, morphTo, mixes) {
    const count = digits.length;
    const column = (values, type) => new ort.Tensor(type, values, [count, 1]);
    const outputs = await this.session.run({
      z: new ort.Tensor("float32", z, [count, this.latentSize]),
      digit: column(Int32Array.from(digits), "int32"),
      morph_to: column(Int32Array.from(morphTo), "int32"),
      mix: column(Float32Array.from(mixes), "float32"),
    });
    return outputs[this.session.outputNames[0]].data;
  }
}
