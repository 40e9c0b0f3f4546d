// The package's own require(), for files it reads from its dependencies (the htmx builds)
// and its peers (ioredis's version), resolved from where the package is installed. A .cts
// file compiles to CommonJS in both builds, where `require` is module-relative: the shared
// sources need no import.meta, which the CommonJS build cannot compile.
export = require;
