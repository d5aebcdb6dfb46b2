// EXPECT-NONE
// A class with its own operator new/delete over a static pool, next to ordinary new.
#include <cstddef>
#include <new>
#include <string>
#include <vector>

class Pooled {
public:
    static void* operator new(std::size_t size)
    {
        if (used + size > sizeof pool)
            throw std::bad_alloc();
        void* p = pool + used;
        used += (size + 15) & ~std::size_t(15);
        return p;
    }
    static void operator delete(void*) noexcept {}
    int value = 0;

private:
    alignas(16) static char pool[4096];
    static std::size_t used;
};
alignas(16) char Pooled::pool[4096];
std::size_t Pooled::used = 0;

int main()
{
    std::vector<Pooled*> items;
    for (int i = 0; i < 10; ++i)
        items.push_back(new Pooled);
    for (Pooled* p : items)
        delete p;
    std::string* s = new std::string(100, 'x');
    bool ok = s->size() == 100;
    delete s;
    return ok ? 0 : 1;
}
