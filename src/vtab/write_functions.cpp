// Write methods as SQL: one function per spec write method (cancel_workflow_run, ...),
// and the shared step that sends a write, or describes it in a dry run.
//
//   SELECT id, cancel_workflow_run(owner, repo, id) FROM workflow_runs
//    WHERE owner = 'octo-org' AND repo = 'octo-repo' AND status = 'queued';
//
// An HTTP error status is a value ({"ok":false,...}) so bulk statements finish; wrong
// arguments and transport failures are SQL errors.
#include "vtab/write_functions.hpp"

#include <vector>

#include "util/text.hpp"

namespace stacklite {

std::optional<std::string> perform_write(ConnectionContext& ctx, ApiClient& client, const WriteRequest& request,
                                         HttpResponse& response) {
  std::string url = client.url_for(request.path);
  if (ctx.dry_run) return dry_run_result(request, url);
  ctx.pace_write();
  // Noted before sending: a write that fails midway may still have changed a listing.
  if (request.method != "GET") ctx.writes.record(client.endpoint().base_url, request.path_params);
  client.send(request.method, url, request.body, response);
  return std::nullopt;
}

void call_write(sqlite3_context* context, int argc, sqlite3_value** argv) {
  auto* binding = static_cast<WriteBinding*>(sqlite3_user_data(context));
  std::string token;
  try {
    if (!binding->method) {
      bool writes = false;
      for (const auto& resource : binding->provider->resources) writes |= !resource.write_methods.empty();
      throw Error("provider '" + binding->provider->name + "' has no such method" +
                  (writes ? std::string(": call it over a table of a provider that has it, or with plain values")
                          : std::string(" (its API is read-only)")));
    }
    check_stored_options(*binding->ctx, binding->stored_options);
    std::vector<SqlValue> args;
    for (int i = 0; i < argc; ++i) args.push_back(sql_value_of(argv[i]));
    WriteRequest request = build_write_request(*binding->method, args);
    ApiClient& client = binding->client ? *binding->client : binding->ctx->default_client(*binding->provider);
    token = client.endpoint().token();
    HttpResponse response;
    std::optional<std::string> result = perform_write(*binding->ctx, client, request, response);
    if (!result) result = write_result(*binding->method, response, secrets_in_use(token));
    sqlite3_result_text(context, result->c_str(), static_cast<int>(result->size()), SQLITE_TRANSIENT);
    sqlite3_result_subtype(context, 'J');
  } catch (const Interrupted&) {
    sqlite3_result_error_code(context, SQLITE_INTERRUPT);
  } catch (const std::exception& e) {
    // Argument errors start with the signature, which names the function already.
    std::string what = e.what();
    std::string msg = starts_with(what, binding->function + "(") ? what : binding->function + ": " + what;
    if (!binding->table.empty()) msg = binding->table + ": " + msg;
    sqlite3_result_error(context, without_secrets(msg, token).c_str(), -1);
  }
}

std::set<std::string> sql_function_names(sqlite3* db) {
  std::set<std::string> names;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_function_list", -1, &stmt, nullptr) == SQLITE_OK)
    while (sqlite3_step(stmt) == SQLITE_ROW)
      if (const unsigned char* name = sqlite3_column_text(stmt, 0))
        names.insert(to_lower(reinterpret_cast<const char*>(name)));
  sqlite3_finalize(stmt);
  return names;
}

void register_write_functions(sqlite3* db, const std::shared_ptr<ConnectionContext>& ctx, const ProviderSpec& provider,
                              std::shared_ptr<const ProviderSpec> spec_owner, const std::string& stored_options) {
  // Every name is checked before any is registered, so a refused spec leaves nothing behind.
  for (const auto& resource : provider.resources) {
    for (const auto& method : resource.write_methods) {
      std::string key = to_lower(method.name);  // SQL function names ignore case
      if (auto it = ctx->write_functions.find(key); it != ctx->write_functions.end()) {
        if (it->second == provider.name) continue;
        throw Error("write method " + quote_for_message(method.name) + " of provider '" + provider.name + "' (" +
                    provider.source + ") has the name of provider '" + it->second +
                    "''s write function: two providers cannot both make it an SQL function; rename one");
      }
      if (ctx->builtin_functions.count(key))
        throw Error("write method " + quote_for_message(method.name) + " of provider '" + provider.name + "' (" +
                    provider.source + ") has the name of the SQL function " + method.name +
                    "(), which it would hide or be hidden by; rename it in the spec");
    }
  }
  for (const auto& resource : provider.resources) {
    for (const auto& method : resource.write_methods) {
      if (ctx->write_functions.count(to_lower(method.name))) continue;
      auto* binding = new WriteBinding{ctx, spec_owner, &provider, &method, nullptr, "", method.name, stored_options};
      // Network side effects: never DETERMINISTIC or INNOCUOUS, and only in top-level SQL.
      int rc =
          sqlite3_create_function_v2(db, method.name.c_str(), -1, SQLITE_UTF8 | SQLITE_DIRECTONLY, binding, call_write,
                                     nullptr, nullptr, [](void* p) { delete static_cast<WriteBinding*>(p); });
      if (rc != SQLITE_OK)
        throw Error("cannot register the write function " + method.name + "(): " + sqlite3_errmsg(db));
      ctx->write_functions.emplace(to_lower(method.name), provider.name);
    }
  }
}

}  // namespace stacklite
