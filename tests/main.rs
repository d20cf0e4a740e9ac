//! Integration tests: one binary, one module per area.

mod util;

mod browser;
mod browser_public;
mod check;
mod cli;
mod config;
mod crawl_e2e;
mod dedup;
mod digest;
mod explain;
mod faults;
mod federation;
mod fit;
mod fuzz;
mod hostile;
mod index;
mod lifecycle;
mod openapi;
mod repair;
mod rules;
mod schedule;
mod smtp;
mod staff;
mod store;
mod subscribe;
mod web;
