import type { AudienceConfig } from "./schema.js";

/**
 * What an audience is called in front of its readers (the PDF's cover, running header and
 * metadata, a mail subject's `{audience}`): its configured `name`, else its key made readable.
 * The key is a file-name slug (`it`, `customer-support`), which reads as a typo in a sentence
 * ("Reliability report for it"): words of one or two letters are taken for initials (IT, UX,
 * QA, HR) and written in capitals, the first word gets a capital, and dashes become spaces.
 * An audience whose name this gets wrong sets `name:`.
 */
export function audienceDisplayName(key: string, audience: AudienceConfig | undefined): string {
  if (audience?.name !== undefined) return audience.name;
  return key
    .split("-")
    .filter((word) => word !== "")
    .map((word, i) =>
      word.length <= 2
        ? word.toUpperCase()
        : i === 0
          ? `${word.charAt(0).toUpperCase()}${word.slice(1)}`
          : word,
    )
    .join(" ");
}
