#!/usr/bin/env node
// The kubeop command. A file that exists before the build, so npm links the bin on a fresh install of the workspace;
// the code itself is compiled to dist/.
import '../dist/cli.js';
