#include <stdio.h>

int main(void)
{
    puts("edukiosk");
    return 0;
}
