// Building elements from values: properties (textContent, never innerHTML),
// data attributes, then children (nodes or strings, added as text).
export function element(tag, { dataset, ...props } = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  Object.assign(e.dataset, dataset);
  e.append(...children);
  return e;
}
