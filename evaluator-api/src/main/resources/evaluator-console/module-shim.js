// diff-match-patch's package ends with module['exports'] = ...: give it a module object while it loads, and take
// it away afterwards (this file runs twice, around it), so that no other script sees a CommonJS environment.
if (window.module && window.module.evaluatorShim) {
  delete window.module;
} else {
  window.module = { exports: {}, evaluatorShim: true };
}
