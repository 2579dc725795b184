/* Test-only stand-in for Windows' bcryptprimitives.dll, which Wine 8.0 lacks:
 * Rust's std imports ProcessPrng from it, and without it every Rust program
 * under Wine exits at once with code 53. Real Windows 10/11 ships the DLL;
 * scripts/windows.sh puts this one in the Wine prefix's system32 only. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
