// Requests as received: the raw path and query, the decoded parameters in order, and the
// recorded copy tests inspect. Decoding is the HTTP library's.
#include "server/exchange.hpp"

#include "server/recorded_request.hpp"

namespace stacklite::testserver {

Exchange::Exchange(const httplib::Request& request, httplib::Response& response) : req(request), res(response) {
  const size_t q = req.target.find('?');
  raw_path = req.target.substr(0, q);
  raw_query = q == std::string::npos ? "" : req.target.substr(q + 1);
  query = parse_query(raw_query);
}

std::string Exchange::param(const char* name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return "";
}

bool Exchange::has_param(const char* name) const {
  for (const auto& [k, v] : query)
    if (k == name) return true;
  return false;
}

QueryList parse_query(const std::string& raw) {
  QueryList out;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t amp = raw.find('&', pos);
    if (amp == std::string::npos) amp = raw.size();
    const std::string part = raw.substr(pos, amp - pos);
    if (!part.empty()) {
      const size_t eq = part.find('=');
      out.emplace_back(httplib::detail::decode_url(part.substr(0, eq), true),
                       eq == std::string::npos ? "" : httplib::detail::decode_url(part.substr(eq + 1), true));
    }
    pos = amp + 1;
  }
  return out;
}

std::string decode_path_segment(const std::string& raw) { return httplib::detail::decode_url(raw, false); }

std::string RecordedRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}
bool RecordedRequest::has_header(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
std::string RecordedRequest::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}
bool RecordedRequest::has_param(const std::string& name) const { return params.count(name) > 0; }

}  // namespace stacklite::testserver
