import { findingsFor } from "../../insights/findings.js";
import { BAD, contentWidth, INK, MARGIN_X, MUTED, TYPE } from "./layout.js";
import { openSection, paragraph, type SectionContext } from "./sections.js";
import { drawText } from "./text.js";

/**
 * At the top of page one, before anything else: each source this report shows that does not
 * cover the period, in plain words (its completeness finding). Nothing when all are complete.
 */
export function completenessNotice(ctx: SectionContext, root: PDFKit.PDFStructureElement): void {
  const { doc } = ctx;
  const notices = findingsFor(ctx.findings, ctx.template).filter((f) => f.topic === "completeness");
  if (notices.length === 0) return;
  const title = notices.some((f) => f.severity === "critical")
    ? "Data incomplete: these figures do not cover the whole period"
    : "Comparisons held back: the period before is incomplete";
  const sect = openSection(ctx, root, title, 60);
  for (const finding of notices) {
    const top = doc.y;
    sect.add(
      doc.struct("P", {}, () => {
        drawText(doc, finding.text, MARGIN_X + 10, doc.y, contentWidth(doc) - 10, {
          size: TYPE.body,
          color: INK,
        });
      }),
    );
    doc.markContent("Artifact", { type: "Layout" });
    doc.rect(MARGIN_X, top, 3, doc.y - top).fill(BAD);
    doc.endMarkedContent();
    doc.moveDown(0.3);
  }
  paragraph(
    ctx,
    sect,
    "Comparisons with the period before are held back for these sources; their other figures count only the rows there are.",
    {
      colour: MUTED,
      size: TYPE.note,
    },
  );
  sect.end();
  doc.moveDown(0.8);
}
