// Write methods as SQL: one function per spec write method (cancel_workflow_run, ...),
// and the shared step that sends a write, or describes it in a dry run.
//
//   SELECT id, cancel_workflow_run(owner, repo, id) FROM workflow_runs
//    WHERE owner = 'octo-org' AND repo = 'octo-repo' AND status = 'queued';
//
// An HTTP error status is a value ({"ok":false,...}) so bulk statements finish; wrong
// arguments and transport failures are SQL errors.
#include "methods/sql_functions.hpp"

#include <vector>

#include "util/text.hpp"

namespace stacklite {

std::optional<std::string> perform_write(ConnectionContext& ctx, ApiClient& client, const WriteRequest& request,
                                         HttpResponse& response) {
  std::string url = client.url_for(request.path);
  if (ctx.dry_run) return dry_run_result(request, url);
  ctx.pace_write();
  client.send(request.method, url, request.body, response);
  return std::nullopt;
}

namespace {

struct FunctionAux {
  std::shared_ptr<ConnectionContext> ctx;
  const ProviderSpec* provider;
  const WriteMethod* method;
};

SqlValue argument(sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER: return SqlValue::of_int(sqlite3_value_int64(v));
    case SQLITE_FLOAT: {
      SqlValue s;
      s.kind = SqlValue::Kind::Real;
      s.d = sqlite3_value_double(v);
      return s;
    }
    case SQLITE_NULL: return SqlValue{};
    default: {
      const unsigned char* text = sqlite3_value_text(v);
      return SqlValue::of_text(text ? std::string(reinterpret_cast<const char*>(text), sqlite3_value_bytes(v)) : "");
    }
  }
}

void write_function(sqlite3_context* context, int argc, sqlite3_value** argv) {
  auto* aux = static_cast<FunctionAux*>(sqlite3_user_data(context));
  std::string token;
  try {
    std::vector<SqlValue> args;
    for (int i = 0; i < argc; ++i) args.push_back(argument(argv[i]));
    WriteRequest request = build_write_request(*aux->method, args);
    ApiClient& client = aux->ctx->default_client(*aux->provider);
    token = client.endpoint().token();
    HttpResponse response;
    std::optional<std::string> result = perform_write(*aux->ctx, client, request, response);
    if (!result) result = write_result(*aux->method, response);
    sqlite3_result_text(context, result->c_str(), static_cast<int>(result->size()), SQLITE_TRANSIENT);
    sqlite3_result_subtype(context, 'J');
  } catch (const std::exception& e) {
    std::string msg = without_secrets(aux->method->name + ": " + e.what(), token);
    if (starts_with(e.what(), aux->method->name + "(")) msg = without_secrets(e.what(), token);
    sqlite3_result_error(context, msg.c_str(), -1);
  }
}

}  // namespace

int register_write_functions(sqlite3* db, std::shared_ptr<ConnectionContext> ctx, const ProviderSpec& provider) {
  for (const auto& resource : provider.resources) {
    for (const auto& method : resource.write_methods) {
      auto* aux = new FunctionAux{ctx, &provider, &method};
      // Network side effects: never DETERMINISTIC or INNOCUOUS, and only in top-level SQL.
      int rc = sqlite3_create_function_v2(db, method.name.c_str(), -1, SQLITE_UTF8 | SQLITE_DIRECTONLY, aux,
                                          write_function, nullptr, nullptr,
                                          [](void* p) { delete static_cast<FunctionAux*>(p); });
      if (rc != SQLITE_OK) return rc;
    }
  }
  return SQLITE_OK;
}

}  // namespace stacklite
