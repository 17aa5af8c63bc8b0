#!/usr/bin/env node
// Runs a TypeScript entry file (bench, dev tools) the way bin/hotlead.js runs the CLI.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { ensureGenerated } from './ensure-generated.js';

ensureGenerated();
register();
const [file, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], file, ...rest];
await import(pathToFileURL(path.resolve(file)).href);
