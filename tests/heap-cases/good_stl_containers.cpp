// EXPECT-NONE
// Standard containers: map of strings to vectors, erase and reinsert, sort, sized delete.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

int main()
{
    std::map<std::string, std::vector<std::string>> m;
    for (int i = 0; i < 2000; ++i)
        m["key" + std::to_string(i)].push_back(std::string(i % 50, 'v'));
    for (int i = 0; i < 2000; i += 3)
        m.erase("key" + std::to_string(i));
    std::unordered_map<int, std::unique_ptr<int[]>> u;
    for (int i = 0; i < 500; ++i)
        u[i] = std::make_unique<int[]>(i + 1);
    std::vector<std::string> keys;
    for (auto& [k, v] : m)
        keys.push_back(k);
    std::sort(keys.begin(), keys.end(), std::greater<>());
    auto shared = std::make_shared<std::vector<int>>(1000, 7);
    return keys.size() == m.size() && (*shared)[999] == 7 ? 0 : 1;
}
