#!/usr/bin/env node
// The installed `reports` command runs the compiled CLI (`npm ci` builds it through `prepare`).
import "../dist/reports.js";
