import type { ChartConfiguration } from "chart.js";
import { ChartJSNodeCanvas } from "chartjs-node-canvas";
import { FONTS } from "../fonts.js";

/**
 * Server-side chart rendering. Each ChartJSNodeCanvas loads its own copy of chart.js, so making
 * one per chart leaks; we keep one renderer per canvas size for the life of the process. The
 * bundled font is registered with canvas once, before the first chart, so charts look the same
 * on every machine. Charts are drawn at `PIXEL_RATIO` times their size on the page.
 */
export const FONT_FAMILY = "DejaVu Sans";
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
    renderer = new ChartJSNodeCanvas({
      width,
      height,
      backgroundColour: "white",
      chartCallback: (ChartJS) => {
        ChartJS.defaults.font.family = FONT_FAMILY;
        ChartJS.defaults.font.size = 9;
        ChartJS.defaults.color = "#1f2933";
        ChartJS.defaults.animation = false;
        ChartJS.defaults.responsive = false;
        ChartJS.defaults.devicePixelRatio = PIXEL_RATIO;
      },
    });
    if (!fontsRegistered) {
      renderer.registerFont(FONTS.regular, { family: FONT_FAMILY });
      renderer.registerFont(FONTS.bold, { family: FONT_FAMILY, weight: "bold" });
      fontsRegistered = true;
    }
    renderers.set(key, renderer);
  }
  return renderer.renderToBuffer(config, "image/png");
}

/** How many renderers exist (for the memory benchmark: it must stay at the number of sizes). */
export function rendererCount(): number {
  return renderers.size;
}
