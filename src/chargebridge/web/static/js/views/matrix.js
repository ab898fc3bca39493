// The compatibility matrix (GET /api/v1/firmware/matrix): per vendor/model/firmware its
// compatibility entries, OCA certificates, metering approvals and the validation bench's level,
// and the procurement check (GET /api/v1/firmware/matrix/check?requires=...) with its evidence.
import { api } from "../api.js";
import { badge, clear, errorText, h, table } from "../dom.js";

export const NAME = "matrix";

function fleetScopeMessage(err) {
  if (err && err.status === 403) return "The matrix is a fleet object: this token is limited to certain stations.";
  return errorText(err);
}

function certificateText(cert) {
  const text = `${cert.certificate_id} · OCPP ${cert.ocpp_version} · ${cert.profiles.join(", ")}${cert.issued_on ? ` · ${cert.issued_on}` : ""}`;
  return cert.link ? h("a", { href: cert.link, rel: "noopener noreferrer", target: "_blank" }, text) : text;
}

function approvalText(approval) {
  const text = `${approval.scheme} ${approval.certificate_id}${approval.issued_on ? ` · ${approval.issued_on}` : ""}`;
  return approval.link ? h("a", { href: approval.link, rel: "noopener noreferrer", target: "_blank" }, text) : text;
}

function list(items, render) {
  if (!items.length) return "–";
  return h("ul", { class: "plain" }, ...items.map((item) => h("li", {}, render(item))));
}

export function matrixRows(items) {
  return items.map((item) => [
    item.vendor,
    item.model,
    item.firmware_version,
    item.compatibility.length ? h("span", {}, ...item.compatibility.map((c) => badge(c.status))) : "–",
    item.validated_level ? badge(item.validated_level) : "–",
    list(item.certifications, certificateText),
    list(item.metering_approvals, approvalText),
  ]);
}

export async function render(main, args) {
  const requires = args.query.get("requires") || "";
  const input = h("input", { id: "matrix-requires", name: "requires", value: requires, placeholder: "2.0.1,advanced-security,smart-charging", size: 40 });
  const form = h(
    "form",
    { id: "matrix-check-form", class: "inline" },
    h("label", { for: "matrix-requires" }, "Requirements "),
    input,
    h("button", { type: "submit" }, "Check"),
  );
  const checkResults = h("div", { id: "matrix-check", "aria-live": "polite" });
  const results = h("div", { id: "matrix-results", "aria-live": "polite" });
  main.append(
    h("div", { class: "page-head" }, h("h1", {}, "Compatibility matrix")),
    h("section", { class: "card" }, h("h2", {}, "Procurement check"), form, checkResults),
    h("section", { class: "card" }, results),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/matrix?requires=${encodeURIComponent(input.value.trim())}`;
  });
  if (requires) await renderCheck(checkResults, requires);
  let items;
  try {
    items = (await api("/firmware/matrix")).items;
  } catch (err) {
    clear(results, h("p", { role: "alert" }, fleetScopeMessage(err)));
    return null;
  }
  clear(
    results,
    table(
      "Vendors, models and firmware",
      [
        { label: "Vendor" },
        { label: "Model" },
        { label: "Firmware" },
        { label: "Compatibility" },
        { label: "Validated level" },
        { label: "OCA certificates" },
        { label: "Metering approvals" },
      ],
      matrixRows(items),
    ),
  );
  return null;
}

async function renderCheck(box, requires) {
  let answer;
  try {
    answer = await api("/firmware/matrix/check", { query: { requires } });
  } catch (err) {
    clear(box, h("p", { role: "alert" }, fleetScopeMessage(err)));
    return;
  }
  const rows = [];
  for (const item of answer.matches) {
    for (const name of answer.requires) rows.push([`${item.vendor} ${item.model}`, item.firmware_version, name, item.evidence[name]]);
  }
  const summary = h("p", { id: "matrix-check-summary" }, `${answer.matches.length} of ${answer.matches.length + answer.others.length} models/firmware meet ${answer.requires.join(", ")}.`);
  const parts = [summary];
  if (rows.length) parts.push(table("Evidence", [{ label: "Model" }, { label: "Firmware" }, { label: "Requirement" }, { label: "Evidence" }], rows));
  if (answer.others.length) {
    parts.push(
      h(
        "details",
        {},
        h("summary", {}, `${answer.others.length} do not`),
        list(answer.others, (item) => `${item.vendor} ${item.model} ${item.firmware_version}: missing ${item.missing.join(", ")}`),
      ),
    );
  }
  clear(box, ...parts);
}
