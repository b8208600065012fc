// The digit studio page: the picker (a digit, a count, a seed, "new noise") and the morph between
// two digits, drawn by the generator onto two canvases. A bad value gets a message on the page
// and the pictures stay as they were.

import { Generator, IMAGE_SIZE, normalNoise } from "./generator.js";

const MODEL_FILE = "generator.onnx";
const COLUMNS = 10;
const PADDING = 2;  // black pixels between two digits
const MAX_COUNT = 1000;
const MAX_SEED = 2 ** 32 - 1;
const NEW_SEED_RANGE = 100000;
const MORPH_FRAMES = 9;

const element = (id) => document.getElementById(id);
const pickerCanvas = element("picker-canvas");
const morphCanvas = element("morph-canvas");
const settings = { digit: 7 };
let generator = null;
let drawing;  // the generator's loading, then each draw in turn: a session runs one at a time

function say(text, isError = false) {
  element("message").textContent = text;
  element("message").classList.toggle("error", isError);
}

/** The whole number typed into `box`, from `low` to `high`; otherwise a RangeError that says so. */
function wholeNumber(box, name, low, high) {
  const text = box.value.trim();
  if (!/^\d+$/.test(text) || Number(text) < low || Number(text) > high) {
    throw new RangeError(`${name} must be a whole number from ${low} to ${high}, got "${box.value}"`);
  }
  return Number(text);
}

/** Paint `count` images (28 × 28 values in [-1, 1] each) onto `canvas`, `columns` to a row. */
function paint(canvas, images, count, columns) {
  const cell = IMAGE_SIZE + PADDING;
  canvas.width = columns * cell - PADDING;
  canvas.height = Math.ceil(count / columns) * cell - PADDING;
  const context = canvas.getContext("2d");
  const picture = context.createImageData(canvas.width, canvas.height);
  for (let at = 3; at < picture.data.length; at += 4) picture.data[at] = 255;  // opaque black
  for (let image = 0; image < count; image += 1) {
    const top = Math.floor(image / columns) * cell;
    const left = (image % columns) * cell;
    for (let row = 0; row < IMAGE_SIZE; row += 1) {
      for (let column = 0; column < IMAGE_SIZE; column += 1) {
        const value = images[(image * IMAGE_SIZE + row) * IMAGE_SIZE + column];
        const gray = Math.round((Math.min(Math.max(value, -1), 1) + 1) * 127.5);
        const at = ((top + row) * canvas.width + left + column) * 4;
        picture.data.fill(gray, at, at + 3);
      }
    }
  }
  context.putImageData(picture, 0, 0);
  canvas.style.width = `${2 * canvas.width}px`;  // twice the size, each pixel a crisp square
  canvas.dataset.draws = Number(canvas.dataset.draws ?? 0) + 1;
}

/** `count` samples of the chosen digit from the typed seed, ten to a row. */
async function drawPicker(count, seed) {
  const digits = new Array(count).fill(settings.digit);
  const z = normalNoise(seed, count, generator.latentSize);
  const images = await generator.draw(z, digits, digits, new Array(count).fill(0));
  paint(pickerCanvas, images, count, Math.min(COLUMNS, count));
  return `${count} × digit ${settings.digit}, seed ${seed}`;
}

/** One noise vector (the seed's first) drawn from one digit to another in equal steps. */
async function drawMorph(seed) {
  const [from, to] = [Number(element("from-digit").value), Number(element("to-digit").value)];
  const single = normalNoise(seed, 1, generator.latentSize);
  const z = new Float32Array(MORPH_FRAMES * single.length);
  const mixes = [];
  for (let frame = 0; frame < MORPH_FRAMES; frame += 1) {
    z.set(single, frame * single.length);
    mixes.push(frame / (MORPH_FRAMES - 1));
  }
  const images = await generator.draw(z, new Array(MORPH_FRAMES).fill(from),
                                      new Array(MORPH_FRAMES).fill(to), mixes);
  paint(morphCanvas, images, MORPH_FRAMES, MORPH_FRAMES);
  return `${from} into ${to}, seed ${seed}`;
}

/** Check the typed values, then redraw the picker, the morph or both, and say how long it took. */
function redraw({ picker = true, morph = true } = {}) {
  drawing = drawing.then(async () => {
    if (generator === null) return;  // it could not load, and the page says so
    let count;
    let seed;
    try {
      seed = wholeNumber(element("seed"), "seed", 0, MAX_SEED);
      if (picker) count = wholeNumber(element("count"), "count", 1, MAX_COUNT);
    } catch (error) {
      say(`${error.message}; the pictures stay as they were.`, true);
      return;
    }
    const started = performance.now();
    const drawn = [];
    if (picker) drawn.push(await drawPicker(count, seed));
    if (morph) drawn.push(await drawMorph(seed));
    say(`${drawn.join("; ")}: drawn in ${Math.round(performance.now() - started)} ms`);
  }).catch((error) => say(`could not draw: ${error.message}`, true));
  return drawing;
}

function buildControls() {
  const buttons = element("digits");
  for (let digit = 0; digit <= 9; digit += 1) {
    const button = document.createElement("button");
    button.textContent = String(digit);
    button.setAttribute("aria-pressed", String(digit === settings.digit));
    button.addEventListener("click", () => {
      settings.digit = digit;
      for (const other of buttons.children) other.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-pressed", "true");
      redraw({ morph: false });
    });
    buttons.append(button);
  }
  for (const [id, chosen] of [["from-digit", 3], ["to-digit", 8]]) {
    for (let digit = 0; digit <= 9; digit += 1) element(id).add(new Option(String(digit), digit));
    element(id).value = String(chosen);
    element(id).addEventListener("change", () => redraw({ picker: false }));
  }
  element("count").addEventListener("change", () => redraw({ morph: false }));
  element("seed").addEventListener("change", () => redraw());
  element("new-noise").addEventListener("click", () => {
    element("seed").value = String(Math.floor(Math.random() * NEW_SEED_RANGE));
    redraw();
  });
}

async function start() {
  buildControls();
  say("loading the generator…");
  drawing = Generator.load(MODEL_FILE).then(
    (loaded) => { generator = loaded; },
    (error) => say(`could not load ${MODEL_FILE}: ${error.message}`, true));
  await redraw();
  if (generator !== null) {
    document.body.dataset.firstPictureMilliseconds = String(Math.round(performance.now()));
  }
}

start();
