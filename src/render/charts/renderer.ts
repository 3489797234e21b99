import type { Chart, ChartConfiguration, Plugin } from "chart.js";
import { ChartJSNodeCanvas, type ChartJSNodeCanvasOptions } from "chartjs-node-canvas";
import { fontChain } from "../fonts.js";

/**
 * Server-side chart rendering. Each ChartJSNodeCanvas loads its own copy of chart.js, so making
 * one per chart leaks; we keep one renderer per canvas size for the life of the process. The
 * fonts of the chain (fonts.ts) are registered with canvas by file once, before the first chart,
 * and charts ask for them by name in the chain's order, so a label in any script is set in the
 * same font as in the documents and the same data gives the same PNG on every machine set up by
 * scripts/setup.sh. Charts are drawn at `PIXEL_RATIO` times their size on the page.
 */
export const FONT_FAMILY = fontChain()
  .map((f) => f.family)
  .join(", ");
export const PIXEL_RATIO = 2.5;

const renderers = new Map<string, ChartJSNodeCanvas>();
let fontsRegistered = false;

/** A chart's PNG, `width` × `height` points on the page (`PIXEL_RATIO` times that in pixels). */
export async function renderChartPng(
  config: ChartConfiguration,
  width: number,
  height: number,
): Promise<Buffer> {
  const key = `${width}x${height}`;
  let renderer = renderers.get(key);
  if (renderer === undefined) {
    renderer = new RgbChartCanvas({
      width,
      height,
      chartCallback: (ChartJS) => {
        ChartJS.register(WHITE_BACKGROUND);
        ChartJS.defaults.font.family = FONT_FAMILY;
        ChartJS.defaults.font.size = 9;
        ChartJS.defaults.color = "#1f2933";
        ChartJS.defaults.animation = false;
        ChartJS.defaults.responsive = false;
        ChartJS.defaults.devicePixelRatio = PIXEL_RATIO;
      },
    });
    if (!fontsRegistered) {
      for (const font of fontChain()) {
        renderer.registerFont(font.regular.path, { family: font.family });
        if (font.bold.path !== font.regular.path)
          renderer.registerFont(font.bold.path, { family: font.family, weight: "bold" });
      }
      fontsRegistered = true;
    }
    renderers.set(key, renderer);
  }
  return renderer.renderToBuffer(config, "image/png");
}

/**
 * Paints the background white before anything else is drawn. (chartjs-node-canvas's own
 * background paints behind what is drawn, which an opaque RGB canvas cannot do.)
 */
const WHITE_BACKGROUND: Plugin = {
  id: "white-background",
  beforeDraw(chart: Chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.globalCompositeOperation = "source-over";
    ctx.fillStyle = "white";
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/**
 * Draws on canvases without an alpha channel, so charts come out as RGB PNGs. pdfkit splits an
 * alpha channel off asynchronously, which makes the byte order of a PDF depend on timing; a
 * chart on a white background needs no alpha, and without it the PDF is reproducible byte for
 * byte (and no second PNG encoding is needed).
 */
class RgbChartCanvas extends ChartJSNodeCanvas {
  constructor(options: ChartJSNodeCanvasOptions) {
    super(options);
    const create = this._createCanvas;
    const rgb: typeof create = (...args: Parameters<typeof create>) => {
      const canvas = create(...args);
      const getContext = canvas.getContext.bind(canvas);
      canvas.getContext = ((id: "2d", attributes?: object) =>
        getContext(id, { ...attributes, pixelFormat: "RGB24" })) as typeof canvas.getContext;
      return canvas;
    };
    (this as unknown as { _createCanvas: typeof create })._createCanvas = rgb;
  }
}

/** How many renderers exist (for the memory benchmark: it must stay at the number of sizes). */
export function rendererCount(): number {
  return renderers.size;
}
