// The peer a Node user writes: Octokit's paginate over every page of a listing.
// Usage: node octokit_paginate.mjs BASE_URL OWNER REPO
import { Octokit } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";

const [baseUrl, owner, repo] = process.argv.slice(2);
const MyOctokit = Octokit.plugin(paginateRest);
const octokit = new MyOctokit({ baseUrl });
const start = process.hrtime.bigint();
let firstRow = -1;
let rows = 0;
let chars = 0;
for await (const response of octokit.paginate.iterator("GET /repos/{owner}/{repo}/actions/runs", { owner, repo, per_page: 100 })) {
  if (firstRow < 0) firstRow = Number(process.hrtime.bigint() - start) / 1e9;
  for (const run of response.data) {
    rows += 1;
    chars += Buffer.byteLength(run.name);
  }
}
const wall = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`wall_s=${wall.toFixed(3)} first_row_s=${firstRow.toFixed(3)} rows=${rows} name_chars=${chars}`);
