// Fault injection: the builders tests use, the queue of rules, and what a fault does to a
// response after the handlers answered (the server applies the rest: see loopback_server.cpp).
#include "server/fault.hpp"

#include <httplib.h>

#include <memory>

#include "server/exchange.hpp"

namespace stacklite::testserver {

Fault Fault::status(int code, std::string body) {
  Fault f;
  f.kind = Kind::Status;
  f.http_status = code;
  f.response_body = std::move(body);
  return f;
}
Fault Fault::reset() {
  Fault f;
  f.kind = Kind::Reset;
  return f;
}
Fault Fault::stall(std::chrono::milliseconds how_long) {
  Fault f;
  f.kind = Kind::Stall;
  f.stall_for = how_long;
  return f;
}
Fault Fault::truncate() {
  Fault f;
  f.kind = Kind::Truncate;
  return f;
}
Fault Fault::body(std::string body, int status) {
  Fault f;
  f.kind = Kind::Body;
  f.http_status = status;
  f.response_body = std::move(body);
  return f;
}
Fault& Fault::for_method(std::string method) {
  only_method = std::move(method);
  return *this;
}
Fault& Fault::with_header(std::string name, std::string value) {
  extra_headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

void FaultQueue::inject(Fault fault, int count, std::string path_contains) {
  if (count <= 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.push_back({std::move(fault), count, std::move(path_contains)});
}

void FaultQueue::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.clear();
}

bool FaultQueue::take(const std::string& method, const std::string& target, Fault& out) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (target.find(it->path_contains) == std::string::npos) continue;
    if (!it->fault.only_method.empty() && it->fault.only_method != method) continue;
    out = it->fault;
    if (--it->remaining <= 0) rules_.erase(it);
    return true;
  }
  return false;
}

void set_fault_body(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.headers.erase("Content-Type");
  res.set_content(body, !body.empty() && body[0] == '<' ? "text/html; charset=utf-8" : kJsonType);
}

void apply_fault_after(const Fault& fault, httplib::Response& res) {
  // A name given twice is sent on two lines (e.g. a Link header split in two).
  for (const auto& [name, value] : fault.extra_headers) res.headers.erase(name);
  for (const auto& [name, value] : fault.extra_headers) res.set_header(name, value);
  if (fault.kind == Fault::Kind::Body) {
    set_fault_body(res, fault.http_status, fault.response_body);
  } else if (fault.kind == Fault::Kind::Truncate) {
    auto body = std::make_shared<std::string>(std::move(res.body));
    res.body.clear();
    const size_t declared = body->empty() ? 64 : body->size();
    const size_t sent = body->size() / 2;
    const std::string type = res.get_header_value("Content-Type");
    res.headers.erase("Content-Type");
    res.set_content_provider(declared, type.empty() ? kJsonType : type,
                             [body, sent](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset == 0 && sent > 0) return sink.write(body->data(), sent);
                               return false;  // the library closes the connection
                             });
  }
}

}  // namespace stacklite::testserver
