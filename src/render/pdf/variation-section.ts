import { findingsFor } from "../../insights/findings.js";
import type { SectionOf } from "../templates/schema.js";
import { contentWidth, ensureSpace, FONT, INK, MARGIN_X, MUTED, TYPE } from "./layout.js";
import { paragraph, type SectionContext } from "./sections.js";
import { drawText } from "./text.js";

/**
 * "Movements within normal variation": this audience's figures that moved past their threshold
 * but whose test could not tell the move from chance (or had too few values to try), each with
 * the words that say so. They are kept out of "What changed" and the mail, not lost.
 */
export function variationSection(
  ctx: SectionContext,
  sect: PDFKit.PDFStructureElement,
  section: SectionOf<"variation">,
): void {
  const mine = findingsFor(
    ctx.findings.filter((f) => f.variation === true),
    ctx.template,
    section.top,
  );
  if (mine.length === 0) {
    paragraph(ctx, sect, "No other figure moved past its threshold.", { colour: MUTED });
    return;
  }
  paragraph(
    ctx,
    sect,
    "These figures moved, but by no more than chance often gives with this many values. They are not reported as changes.",
    { colour: MUTED, size: TYPE.note },
  );
  // A tagged list (L, LI with its Lbl and LBody), so a screen reader says how many there are.
  const { doc } = ctx;
  const list = doc.struct("L");
  sect.add(list);
  const indent = 12;
  for (const finding of mine) {
    ensureSpace(doc, 30);
    const y = doc.y;
    const item = doc.struct("LI");
    list.add(item);
    item.add(
      doc.struct("Lbl", {}, () => {
        doc
          .font(FONT.body)
          .fontSize(TYPE.body)
          .fillColor(INK)
          .text("\u2022", MARGIN_X, y, { lineBreak: false });
      }),
    );
    let height = 0;
    item.add(
      doc.struct("LBody", {}, () => {
        height = drawText(doc, finding.text, MARGIN_X + indent, y, contentWidth(doc) - indent, {
          size: TYPE.body,
          color: INK,
        });
      }),
    );
    item.end();
    doc.y = y + height + 3;
    doc.x = MARGIN_X;
  }
  list.end();
}
