import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Hand-made files with the cases two engines could disagree on: naive and zoned times around
 * the autumn DST changes of Europe/Paris (25 October 2026) and America/New_York (1 November
 * 2026), fractions of a millisecond, sources split over two files (sessions spanning both,
 * ties decided by the row read first), ties in every sorted table and "highest" name, text
 * outside the lexicon's language, tickets resolved before they were created, bad rows.
 * Weeks 2026-W43 and 2026-W44 hold most rows; 2026-W46 holds none (an empty period).
 */
export async function writeEdgeData(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const put = (name: string, lines: string[]) => writeFile(path.join(dir, name), `${lines.join("\n")}\n`);
  const times = [
    "2026-10-20T09:00:00",
    "2026-10-24T23:59:59.999",
    "2026-10-25T01:30",
    "2026-10-25T02:30", // twice in Paris: the earlier
    "2026-10-25T02:30:00+01:00",
    "2026-10-25T03:00:00.0004",
    "2026-10-25 12:00:00Z",
    "2026-10-26T00:00",
    "2026-10-31T23:00:00-04:00",
    "2026-11-01T01:30", // twice in New York
    "2026-11-01T01:30:00-05:00",
    "2026-11-01T02:15:30.123456",
    "2026-11-01T23:59:59.9999+0530",
    "2026-11-02T00:00",
    "2026-10-13T10:00",
    "2026-10-27T07:45:00+00",
  ];
  const services = ["checkout", "search", "cart", "𝒜-astral", "\uE000-private"];
  const api = ["timestamp,endpoint,status_code,response_time_ms,service_name"];
  const api2 = ["service_name,timestamp,endpoint,status_code,response_time_ms,extra"];
  times.forEach((t, i) => {
    for (let k = 0; k < services.length; k++) {
      const service = services[k] as string;
      const status = [200, 200, 404, 500, 503, 201][(i + k) % 6];
      const latency = [120, 120.5, 0, 3.25, 999.999, 120][(i * 3 + k) % 6];
      api.push(`${t},/api/${k % 2 === 0 ? "a" : "b"},${status},${latency},${service}`);
      api2.push(`${service},${t},/api/c,${status},${latency},x`);
    }
  });
  api.push("not-a-time,/x,200,1,svc", "2026-10-20T09:00,/x,700,1,svc", "2026-10-20T09:00,/x,200");
  await put("api_logs_a.csv", api);
  await put("api_logs_b.csv", api2);

  const pages = ["page_url,timestamp,load_time_ms"];
  times.forEach((t, i) => {
    pages.push(`/p${i % 3},${t},${[100, 200, 300][i % 3]}`, `/q${i % 3},${t},${[300, 200, 100][i % 3]}`);
  });
  await put("page_load_times.csv", pages);

  const clicks = ["user_id,timestamp,page,element_clicked"];
  times.forEach((t, i) => {
    clicks.push(
      `u${i % 4},${t},/home,${["btn-b", "btn-a"][i % 2]}`,
      `u${(i + 1) % 4},${t},/cart,btn-${i % 2 === 0 ? "a" : "b"}`,
    );
  });
  await put("clickstream.csv", clicks);

  const carts = ["user_id,cart_id,abandonment_time,items_in_cart,total_value"];
  times.forEach((t, i) => {
    carts.push(`u${i % 3},c${i % 5},${t},${i % 4},${[10.1, 99.99, 99.99, 0.3][i % 4]}`);
  });
  carts.push("u9,c0,2026-10-21T10:00,2,99.99", "u8,c0,2026-10-21T11:00,5,99.99");
  await put("cart_abandonment.csv", carts);

  const journeys = ["session_id,user_id,start_time,end_time,page_sequence,drop_off_page"];
  times.forEach((t, i) => {
    journeys.push(
      `j${i},u${i % 3},${t},${i % 2 === 0 ? t : "2026-11-03T00:00:00.5Z"},"/home  /cart\t/checkout",${["none", "/cart", "/checkout", "None"][i % 4]}`,
    );
  });
  journeys.push("j99,u1,2026-10-21T10:00,2026-10-21T09:00,/x,none");
  await put("session_tracking.csv", journeys);

  const feedback = ["user_id,timestamp,rating,feedback_text"];
  const texts = [
    "Great, fast checkout!",
    "slow and buggy, the app crashed",
    "",
    "Très lent, je suis déçu du paiement",
    "Оплата не прошла, медленно",
    "👍",
    "ok",
    "payment declined twice, terrible",
    "Love it",
    "the cart froze on my phone",
  ];
  for (let i = 0; i < 60; i++) {
    const t = i < 30 ? "2026-10-22T12:00:00" : (times[i % times.length] as string);
    feedback.push(`u${i % 7},${t},${(i % 5) + 1},"${texts[i % texts.length]}"`);
  }
  await put("user_feedback.csv", feedback);

  const support = ["ticket_id,created_at,resolved_at,priority,category,user_id,channel,status,csat"];
  times.forEach((t, i) => {
    const resolved = i % 3 === 0 ? "" : (times[(i + 5) % times.length] as string);
    support.push(
      `t${i},${t},${resolved},${["low", "normal", "HIGH", "urgent"][i % 4]},${["billing", "delivery", "billing", "app"][i % 4]},u${i},email,open,${i % 5 === 0 ? "" : (i % 5) + 0}`,
    );
  });
  support.push("t99,2026-09-01T00:00,,urgent,app,,,,");
  await put("support_tickets.csv", support);

  const event = (
    user: string,
    session: unknown,
    p: string,
    css: string,
    time: unknown,
    text: unknown,
    value: unknown,
  ) => JSON.stringify({ user_id: user, session_id: session, path: p, css, event_time: time, text, value });
  const a: string[] = [];
  const b: string[] = [];
  times.forEach((t, i) => {
    const s = `s${i % 9}`;
    const u = `u${i % 4}`;
    a.push(event(u, s, "/products/1", "div.card", t, null, null));
    a.push(event(u, s, "/search", "#search-bar", t, null, ["İstanbul ", "Shoes", "shoes", ""][i % 4]));
    b.push(event(`u${(i + 1) % 4}`, s, "/cart", "button.add-to-cart", t, null, null));
    if (i % 2 === 0) b.push(event(u, s, "/cart", "button.checkout", t, null, null));
    if (i % 3 === 0) {
      a.push(event(u, s, "/checkout", "div.error-message", t, "Card declined", null));
      b.push(event(u, s, "/checkout", "div.error-message x", t, i % 2 === 0 ? null : "Timeout", null));
    }
    if (i % 4 === 0) b.push(event(u, s, "/checkout", "button.place-order", t, null, null));
  });
  a.push(event("u1", "s-epoch", "/products/2", "div", 1792000000, null, null));
  a.push(event("u1", 42, "/products/2", "div", 1792000000000.5, null, null));
  a.push("{not json", JSON.stringify({ user_id: "x" }));
  await put("sessions_a.jsonl", a);
  await put("sessions_b.jsonl", b);
}
